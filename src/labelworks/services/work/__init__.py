"""The workforce side: who may work on what (eligibility), the leased work queue, submissions,
review, gold scoring, pay. Routes in `api/routes/work.py` are thin wrappers over these."""
