"""Task callbacks end to end: a live server delivers to a loopback receiver."""

from __future__ import annotations

import json

import httpx

from labelworks.services.delivery import signing
from tests.conftest import cli
from tests.delivery.conftest import callback_succeeded, complete, create_tasks, new_org, wait_until


def callback_secret(server, org) -> str:
    return cli(server.backend.env, "org", "callback-secret", org[0]).stdout.strip()


def test_callback_carries_body_auth_header_and_valid_signature(server, org, api, receiver, db):
    url = receiver.url()
    [task_id] = create_tasks(api, url)
    complete(db, [task_id], {"category": "b"})
    [request] = receiver.wait_for(url, 1)
    secret = callback_secret(server, org)
    assert request.headers["scale-callback-auth"] == secret
    assert signing.verify(secret, request.headers["labelworks-signature"], request.body)
    assert not signing.verify(
        secret, request.headers["labelworks-signature"], request.body.replace(b'"b"', b'"a"')
    )
    body = request.json
    assert set(body) == {"task", "response", "task_id"}
    assert body["task_id"] == task_id and body["response"] == {"category": "b"}
    assert body["task"]["status"] == "completed" and body["task"]["task_id"] == task_id
    wait_until(lambda: callback_succeeded(api, task_id) is True, what="callback_succeeded")
    [delivery] = api.get(f"/task/{task_id}/deliveries").json()["deliveries"]
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [200]
    assert delivery["attempts"][0]["latency_ms"] > 0


def test_receiver_failing_three_times_gets_one_success_after_retries(api, receiver, db):
    url = receiver.url(lambda n: 500 if n <= 3 else 200)
    [task_id] = create_tasks(api, url)
    complete(db, [task_id])
    wait_until(lambda: callback_succeeded(api, task_id) is True, what="callback_succeeded")
    requests = receiver.to(url)
    assert [r.status for r in requests] == [500, 500, 500, 200]
    assert [r.headers["labelworks-delivery-attempt"] for r in requests] == ["1", "2", "3", "4"]
    log = api.get(f"/task/{task_id}/deliveries").json()
    [delivery] = log["deliveries"]
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 500, 200]
    assert [a["attempt"] for a in delivery["attempts"]] == [1, 2, 3, 4]
    assert delivery["attempts"][0]["error"] == "HTTP 500 from the receiver"
    assert delivery["status"] == "succeeded" and log["callback_succeeded"] is True


def test_exhausted_attempts_set_callback_succeeded_false(api, receiver, db):
    url = receiver.url(lambda n: 503)
    [task_id] = create_tasks(api, url)
    complete(db, [task_id])
    wait_until(
        lambda: callback_succeeded(api, task_id) is False,
        timeout=30,
        what="callback_succeeded false",
    )
    assert len(receiver.to(url)) == 20
    [delivery] = api.get(f"/task/{task_id}/deliveries").json()["deliveries"]
    assert delivery["status"] == "failed" and delivery["attempt_count"] == 20
    assert {a["status_code"] for a in delivery["attempts"]} == {503}


def test_unreachable_receiver_is_a_failed_attempt_with_an_error(api, receiver, db):
    [task_id] = create_tasks(api, "http://127.0.0.1:9/closed")  # discard port: refused
    complete(db, [task_id])

    def first_attempt():
        attempts = api.get(f"/task/{task_id}/deliveries").json()["deliveries"][0]["attempts"]
        done = attempts and attempts[0]["latency_ms"] is not None  # not "in progress"
        return done and attempts[0]["status_code"] is None and attempts[0]["error"]

    assert "ConnectError" in wait_until(first_attempt, what="a failed attempt")


def test_task_without_callback_url_queues_nothing(api, db):
    [task_id] = create_tasks(api, None)
    complete(db, [task_id])
    assert api.get(f"/task/{task_id}/deliveries").json()["deliveries"] == []


def test_redeliver_sends_the_callback_again(api, receiver, db):
    url = receiver.url()
    [task_id] = create_tasks(api, url)
    complete(db, [task_id])
    receiver.wait_for(url, 1)
    wait_until(lambda: callback_succeeded(api, task_id) is True)
    r = api.post(f"/task/{task_id}/redeliver")
    assert r.status_code == 200, r.text
    assert r.json()["delivery"]["status"] == "pending"
    second = receiver.wait_for(url, 2)[1]
    assert second.json["task_id"] == task_id
    assert (
        second.headers["labelworks-delivery"] != receiver.to(url)[0].headers["labelworks-delivery"]
    )
    wait_until(
        lambda: (
            len(api.get(f"/task/{task_id}/deliveries").json()["deliveries"]) == 2
            and all(
                d["status"] == "succeeded"
                for d in api.get(f"/task/{task_id}/deliveries").json()["deliveries"]
            )
        )
    )


def test_redeliver_of_a_pending_task_is_400(api, receiver):
    [task_id] = create_tasks(api, receiver.url())
    r = api.post(f"/task/{task_id}/redeliver")
    assert r.status_code == 400 and "completed" in r.json()["error"]


def test_another_orgs_delivery_log_and_redeliver_are_404(server, api, receiver, db):
    [task_id] = create_tasks(api, receiver.url())
    complete(db, [task_id])
    _, other_key = new_org(db, "other")
    with httpx.Client(base_url=server.v1, auth=(other_key, ""), timeout=30) as other:
        assert other.get(f"/task/{task_id}/deliveries").status_code == 404
        assert other.post(f"/task/{task_id}/redeliver").status_code == 404
        missing = other.get("/task/000000000000000000000000/deliveries")
        assert missing.status_code == 404
        assert other.get(f"/task/{task_id}/deliveries").json() == {
            **missing.json(),
            "error": missing.json()["error"].replace("000000000000000000000000", task_id),
        }


def test_signature_covers_the_exact_bytes_sent(api, receiver, db):
    url = receiver.url()
    [task_id] = create_tasks(api, url, metadata={"ünï": "cødé"})
    complete(db, [task_id])
    [request] = receiver.wait_for(url, 1)
    assert json.loads(request.body)["task"]["metadata"] == {"ünï": "cødé"}
    secret = request.headers["scale-callback-auth"]
    assert signing.verify(secret, request.headers["labelworks-signature"], request.body)
