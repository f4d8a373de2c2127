"""Files an annotator uploads as an answer (datacollection's file fields): stored like a
customer's upload and owned by the org of the task being worked, so the customer reads it with
the same `/v1/files/{id}/content` as any of its files."""

from __future__ import annotations

from sqlalchemy.orm import Session

from labelworks.db.tables import File
from labelworks.services import files, trail
from labelworks.services.auth import Person
from labelworks.services.scope import Principal
from labelworks.services.work import leases


def answer_org(session: Session, person: Person, assignment_id: int) -> Principal:
    """The org an answer file is stored for (its media key and directory): the leased task's,
    and only on the person's own live lease."""
    assignment = leases.own_assignment(session, person, assignment_id, lock=False)
    leases.require_live(assignment)
    return Principal(org_id=assignment.org_id, org_name="")


def record_answer_file(
    session: Session, person: Person, assignment_id: int, blob: files.Blob
) -> File:
    """The file, recorded for the task's org; only on the person's own live lease."""
    assignment = leases.own_assignment(session, person, assignment_id, lock=False)
    leases.require_live(assignment)
    file = files.record_org_file(
        session, assignment.org_id, blob, {"uploaded_for_assignment": assignment.id}
    )
    trail.record(
        session, person, "work.upload", [file.id], org_id=assignment.org_id, object_type="file"
    )
    return file
