"""`conll`: token-level BIO tags for NER, CoNLL-2003 style: `token TAG` per line, a blank line
after each task (document), tasks in creation order. Tokens are the text's whitespace-separated
words; tags come from `NamedEntityRecognition.bio_tokens`."""

from __future__ import annotations

from collections.abc import Iterator

from labelworks.services.exports.stream import Export


def write(export: Export) -> Iterator[bytes]:
    kind = export.kind
    for chunk in export.records():
        yield "".join(
            "".join(f"{token} {tag}\n" for token, tag in kind.bio_tokens(r))  # type: ignore[attr-defined]
            + "\n"
            for r in chunk
        ).encode()
