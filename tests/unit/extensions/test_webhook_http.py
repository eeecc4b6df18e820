"""The EDA source over real sockets: answers, keep-alive, stalled and oversized requests, TLS, and a flood.

Each test starts the source's ``main(queue, args)`` as ansible-rulebook does, in this process, on a free port.
"""

import asyncio
import contextlib
import logging
import socket
import ssl
import subprocess

import aiohttp
import pytest

from webhook_source import OTHER_SECRET, SECRET, delivery, load

source = load()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.asynccontextmanager
async def running(**args):
    """The source's main() on a free port: yields (url, queue, task)."""
    args = dict({"port": free_port(), "secret": SECRET}, **args)
    queue = asyncio.Queue()
    task = asyncio.ensure_future(source.main(queue, args))
    for _unused in range(200):
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", args["port"])
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.01)
    scheme = "https" if args.get("certfile") else "http"
    try:
        yield "%s://127.0.0.1:%d" % (scheme, args["port"]), queue, task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def run(coroutine):
    return asyncio.run(coroutine)


def signed_headers(body, secret=SECRET):
    return {"X-PagerDuty-Signature": source.sign(secret, body), "Content-Type": "application/json",
            "X-Webhook-Id": "W-1", "User-Agent": "PagerDuty-Webhook/V3.0"}


async def drained(queue, wait=0.2):
    """What reaches the rulebook's queue within ``wait`` seconds."""
    await asyncio.sleep(wait)
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


async def raw(url, data, read=True, timeout=5.0):
    """Send raw bytes; the answer's bytes (until the server closes or ``timeout``)."""
    port = int(url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), timeout) if read else b""
    finally:
        writer.close()


def signed_raw(body, secret=SECRET):
    """The bytes of a POST of ``body`` signed with ``secret`` (None: unsigned), on a connection closed after it."""
    signature = b"X-PagerDuty-Signature: %s\r\n" % source.sign(secret, body).encode() if secret else b""
    return b"POST / HTTP/1.1\r\nContent-Length: %d\r\n%sConnection: close\r\n\r\n%s" % (len(body), signature, body)


def status_of(answer):
    """The status code of a raw answer (its first line), or "closed" when there was none."""
    return int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else "closed"


def tracebacks(records):
    """The log records that carry a traceback."""
    return [record for record in records if record.exc_info or record.exc_text or "Traceback" in record.getMessage()]


def test_a_signed_delivery_is_answered_202_and_queued_with_its_meta():
    async def scenario():
        async with running() as (url, queue, _task), aiohttp.ClientSession() as session:
            body = delivery()
            async with session.post(url + "/pagerduty", data=body, headers=signed_headers(body)) as response:
                assert response.status == 202
                assert (await response.json())["status"] == "accepted"
            events = await drained(queue)
        assert len(events) == 1
        assert events[0]["pagerduty"]["incident"]["id"] == "PGR0VU2"
        assert events[0]["meta"]["endpoint"] == "/pagerduty"
        assert events[0]["meta"]["headers"]["x-webhook-id"] == "W-1"
    run(scenario())


def test_forged_unsigned_replayed_and_other_deliveries_queue_nothing():
    async def scenario():
        async with running() as (url, queue, _task), aiohttp.ClientSession() as session:
            body = delivery()
            statuses = []
            for data, headers in [(body, signed_headers(body, OTHER_SECRET)), (body, {}), (b"{", signed_headers(b"{")),
                                  (body, signed_headers(body)), (body, signed_headers(body))]:
                async with session.post(url + "/", data=data, headers=headers) as response:
                    statuses.append(response.status)
            async with session.get(url + "/") as response:
                statuses.append(response.status)
            events = await drained(queue)
        assert statuses == [401, 401, 400, 202, 200, 405]
        assert len(events) == 1
    run(scenario())


def test_requests_on_a_kept_alive_connection_are_answered_in_turn():
    async def scenario():
        async with running() as (url, queue, _task):
            one, two = delivery("E1"), delivery("E2")
            data = b"".join(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nX-PagerDuty-Signature: %s\r\n\r\n%s"
                            % (len(body), source.sign(SECRET, body).encode(), body) for body in (one, two))
            answer = await raw(url, data + b"POST / HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            events = await drained(queue)
        assert answer.count(b"HTTP/1.1 202 Accepted") == 2 and answer.count(b"HTTP/1.1 401 Unauthorized") == 1
        assert [event["pagerduty"]["event_id"] for event in events] == ["E1", "E2"]
    run(scenario())


@pytest.mark.parametrize("data", [b"", b"POST / HTTP/1.1\r\nHost: x\r\n",
                                  b"POST / HTTP/1.1\r\nContent-Length: 100\r\nX-PagerDuty-Signature: v1=00\r\n\r\n{"])
def test_a_client_that_stalls_is_cut_off_after_the_timeout(data):
    async def scenario():
        async with running(timeout=0.3) as (url, _queue, _task):
            started = asyncio.get_running_loop().time()
            answer = await raw(url, data, timeout=5)
            return answer, asyncio.get_running_loop().time() - started
    answer, took = run(scenario())
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
    assert took < 5         # closed by the source, not by the test's own limit


def test_an_oversized_body_is_refused_from_its_length_without_being_read():
    async def scenario():
        async with running() as (url, queue, _task):
            answer = await raw(url, b"POST / HTTP/1.1\r\nContent-Length: 262145\r\nX-PagerDuty-Signature: v1=00\r\n\r\n")
            headers = await raw(url, b"POST / HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
            return answer, headers, await drained(queue)
    answer, headers, events = run(scenario())
    assert answer.startswith(b"HTTP/1.1 413 Request Entity Too Large") or answer.startswith(b"HTTP/1.1 413 Content")
    assert headers.startswith(b"HTTP/1.1 431")
    assert events == []


def test_connections_over_the_limit_are_answered_503():
    async def scenario():
        async with running(max_connections=2, timeout=2) as (url, _queue, _task):
            port = int(url.rsplit(":", 1)[1])
            held = [await asyncio.open_connection("127.0.0.1", port) for _unused in range(2)]
            await asyncio.sleep(0.05)
            third = await raw(url, b"")
            for _reader, writer in held:
                writer.close()
            return third
    assert run(scenario()).startswith(b"HTTP/1.1 503")


def test_https_with_a_certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                           "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out",
                           str(cert)], capture_output=True, check=False)
    if made.returncode:
        pytest.skip("openssl could not make a certificate: %s" % made.stderr[-200:])

    async def scenario():
        async with running(certfile=str(cert), keyfile=str(key)) as (url, queue, _task):
            context = ssl.create_default_context(cafile=str(cert))
            async with aiohttp.ClientSession() as session:
                body = delivery()
                async with session.post(url + "/", data=body, headers=signed_headers(body), ssl=context) as response:
                    status = response.status
            return status, await drained(queue)
    status, events = run(scenario())
    assert status == 202 and len(events) == 1


# A Content-Length of a digit str.isdigit() knows but int() does not (a superscript two, in the Latin-1 the head is
# decoded with), and a signature with a byte that is not ASCII (hmac.compare_digest raises TypeError on such a str).
SUPERSCRIPT_LENGTH = b"POST / HTTP/1.1\r\nContent-Length: \xb2\r\nX-PagerDuty-Signature: v1=00\r\n\r\n"
NON_ASCII_SIGNATURE = b"POST / HTTP/1.1\r\nContent-Length: 2\r\nX-PagerDuty-Signature: v1=\xe9\r\n\r\n{}"


@pytest.mark.parametrize("data, status", [
    (SUPERSCRIPT_LENGTH, 400),
    (b"POST / HTTP/1.1\r\nContent-Length: \xb9\xb3\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nContent-Length: " + b"1" * 5000 + b"\r\n\r\n", 413),    # more digits than int() takes
    (NON_ASCII_SIGNATURE, 401),
    (b"POST / HTTP/1.1\r\nContent-Length: 2\r\nX-PagerDuty-Signature: v1=\xc3\xa9,v1=\xff\r\n\r\n{}", 401),
    (b"GE\nT\r / HTTP/1.1\r\n\r\n", 405),                    # the client's line breaks in the method it logs
], ids=["superscript-length", "superscripts-length", "5000-digit-length", "latin-1-signature", "utf-8-signature",
        "line-breaks-in-method"])
def test_bad_bytes_are_answered_and_logged_in_one_line_without_a_traceback(caplog, data, status):
    async def scenario():
        async with running() as (url, queue, task):
            answer = await raw(url, data)
            after = await raw(url, signed_raw(delivery("after-the-bad-bytes")))
            return answer, after, await drained(queue, wait=0.05), task.done()
    with caplog.at_level(logging.INFO):
        answer, after, events, stopped = run(scenario())
    assert status_of(answer) == status
    assert status_of(after) == 202 and len(events) == 1 and not stopped
    assert tracebacks(caplog.records) == []
    [refused] = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert refused.startswith("PagerDuty webhook: refused 1 x %d " % status)
    assert "\n" not in refused and "\r" not in refused


def test_an_unexpected_error_is_answered_500_logged_in_one_line_and_the_source_goes_on(caplog, monkeypatch):
    """The last resort: whatever a defect raises, the request is answered, the log has one line without a traceback
    (nor the exception's text, which may hold the request's), and the next request is served."""
    receive = source.Receiver.receive

    async def defective(self, headers, body, endpoint=""):
        if body == b"{}":
            raise RuntimeError("a defect, with the request's text: %r" % headers)
        return await receive(self, headers, body, endpoint)
    monkeypatch.setattr(source.Receiver, "receive", defective)

    async def scenario():
        async with running() as (url, queue, task):
            answer = await raw(url, signed_raw(b"{}"))
            after = await raw(url, signed_raw(delivery("after-the-defect")))
            return answer, after, await drained(queue, wait=0.05), task.done()
    with caplog.at_level(logging.INFO):
        answer, after, events, stopped = run(scenario())
    assert status_of(answer) == 500 and answer.endswith(b'{"status": "refused", "error": "internal error"}')
    assert status_of(after) == 202 and len(events) == 1 and not stopped
    assert tracebacks(caplog.records) == []
    [refused] = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert refused.startswith("PagerDuty webhook: refused 1 x 500 internal error: RuntimeError in defective (line ")
    assert "request's text" not in refused and "x-pagerduty-signature" not in refused


def test_the_secrets_never_reach_a_log_record_even_at_debug(caplog):
    """Every log record of a start, a signed delivery, its replay, forged, unsigned and malformed requests, and a stop,
    at DEBUG and from every logger (asyncio's too), is free of the secrets."""
    secrets = [SECRET, OTHER_SECRET]

    async def scenario():
        async with running(secret=secrets, event_types=["incident.triggered"]) as (url, queue, _task):
            body = delivery("E-logged")
            answers = [await raw(url, signed_raw(body, OTHER_SECRET)), await raw(url, signed_raw(body, SECRET)),
                       await raw(url, signed_raw(body, "not-the-secret")), await raw(url, signed_raw(body, None)),
                       await raw(url, SUPERSCRIPT_LENGTH), await raw(url, NON_ASCII_SIGNATURE)]
            return [status_of(answer) for answer in answers], await drained(queue, wait=0.05)
    with caplog.at_level(logging.DEBUG):
        statuses, events = run(scenario())
    assert statuses == [202, 200, 401, 401, 400, 401] and len(events) == 1
    logged = "\n".join("%s %s %r %s" % (record.name, record.getMessage(), record.args, record.exc_text or "")
                       for record in caplog.records)
    # what was logged: the start, the queued event (DEBUG), the refusals (at the stop) and the stop
    assert "listening on" in logged and "queued incident.triggered E-logged" in logged
    assert "401 invalid signature" in logged and "stopping" in logged
    for secret in secrets:
        assert secret not in logged and secret.encode().hex() not in logged
    assert tracebacks(caplog.records) == []


def test_a_flood_of_forged_and_oversized_requests_queues_nothing_and_a_valid_delivery_still_gets_through():
    """1,000 concurrent requests (forged, unsigned, oversized, signed but not JSON, with a Content-Length int() cannot
    read, with a signature that is not ASCII), with one signed delivery in their midst: the source stays up, queues
    only the valid delivery, and accepts another one after the flood."""
    async def one(session, url, kind, index):
        body = delivery("flood-%d" % index)
        if kind in ("superscript-length", "non-ascii-signature"):
            try:
                return status_of(await raw(url, SUPERSCRIPT_LENGTH if kind == "superscript-length"
                                           else NON_ASCII_SIGNATURE, timeout=60))
            except (ConnectionError, OSError):
                return "closed"
        if kind == "forged":
            data, headers = body, signed_headers(body, OTHER_SECRET)
        elif kind == "unsigned":
            data, headers = body, {}
        elif kind == "oversized":
            data, headers = b"x" * (300 * 1024), signed_headers(b"x" * (300 * 1024))
        else:
            data, headers = b"{not json", signed_headers(b"{not json")
        try:
            async with session.post(url + "/", data=data, headers=headers) as response:
                return response.status
        except aiohttp.ClientError:
            return "closed"         # an oversized body may be cut off while it is still being sent

    async def valid(session, url):
        await asyncio.sleep(0.05)
        body = delivery("the-valid-one")
        async with session.post(url + "/", data=body, headers=signed_headers(body)) as response:
            return response.status

    async def scenario():
        async with running() as (url, queue, task):
            connector = aiohttp.TCPConnector(limit=0, force_close=True)
            async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
                kinds = ["forged", "unsigned", "oversized", "malformed", "superscript-length", "non-ascii-signature"]
                flood = [one(session, url, kinds[index % 6], index) for index in range(1000)]
                results = await asyncio.gather(valid(session, url), *flood)
                events = await drained(queue, wait=0.5)
                after = delivery("after-the-flood")
                async with session.post(url + "/", data=after, headers=signed_headers(after)) as response:
                    after_status = response.status
                events += await drained(queue)
            return results, events, after_status, task.done()
    results, events, after_status, stopped = run(scenario())
    valid_status, flood = results[0], results[1:]
    assert valid_status == 202
    assert [event["pagerduty"]["event_id"] for event in events] == ["the-valid-one", "after-the-flood"]
    assert after_status == 202 and not stopped
    assert set(flood[0::6]) == {401} and set(flood[1::6]) == {401} and set(flood[3::6]) == {400}
    assert set(flood[2::6]) <= {413, "closed"}
    assert set(flood[4::6]) == {400} and set(flood[5::6]) == {401}
