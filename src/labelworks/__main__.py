from labelworks.cli import main

main()
