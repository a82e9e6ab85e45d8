"""An OpenAI-compatible mock server for the benchmark, on loopback.

Every answer is computed once at start-up, so the time measured is the client's. The
request's "model" picks the answer:
  small          a short non-streamed completion
  stream-N       N content chunks as server-sent events, sent in one burst; the body ends
                 when the connection closes, so the client reads it in large pieces
  chunked-N      the same events, each in its own HTTP/1.1 chunk, as OpenAI, vLLM, Ollama
                 and llama.cpp frame a stream
  markdown-N     N chunks of Markdown-rich text (headings, spans, lists, code blocks),
                 sent in one burst like stream-N
  slow           a 200 ms wait, then 50 chunks 10 ms apart; the monotonic time of each
                 send is written to the file named by --sends

A second port, printed on the second line, answers every request with the small
completion on kept-alive connections, from one event loop (for `mume batch`, which keeps
many requests out at once: threads taking turns on Python's lock fell behind it).
"""
import argparse
import json
import selectors
import socket
import threading
import time


def event(obj):
    return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"


def chunk(text):
    return event({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "model": "bench",
                  "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]})


FINISH = event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}) + b"data: [DONE]\n\n"
SSE_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
CHUNKED_HEAD = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                b"transfer-encoding: chunked\r\nconnection: close\r\n\r\n")


def json_answer(keep_alive=False):
    body = json.dumps({"id": "chatcmpl-bench", "object": "chat.completion", "model": "bench",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": "4"},
                                    "finish_reason": "stop"}],
                       "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}).encode()
    head = ("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            "%s\r\n" % (len(body), "" if keep_alive else "connection: close\r\n")).encode()
    return head + body


def stream_answer(n):
    return SSE_HEAD + b"".join(chunk("tok ") for _ in range(n)) + FINISH


MARKDOWN = """# Setting up a cache

Here is **how** to do it, with *care* and `redis-cli`, see [the docs](https://redis.io/docs).

1. Install the server.
2. Check it with `redis-cli ping`.

- a list item with _emphasis_
  - nested **strong** words

```python
import redis
r = redis.Redis()
r.set("k", "v")
```

> A quote, then a rule.

---

"""


def markdown_answer(n):
    """n chunks of about four characters each, cut from MARKDOWN over and over."""
    pieces = [MARKDOWN[i:i + 4] for i in range(0, len(MARKDOWN), 4)]
    return SSE_HEAD + b"".join(chunk(pieces[i % len(pieces)]) for i in range(n)) + FINISH


def http_chunk(data):
    return b"%x\r\n" % len(data) + data + b"\r\n"


def chunked_answer(n):
    events = [chunk("tok ") for _ in range(n)] + [FINISH]
    return CHUNKED_HEAD + b"".join(http_chunk(e) for e in events) + b"0\r\n\r\n"


class Requests:
    """Reads the requests that arrive on one connection, one after another."""

    def __init__(self, conn):
        self.conn = conn
        self.data = b""

    def next(self):
        """The next request's body, or None when the connection closes."""
        while b"\r\n\r\n" not in self.data:
            part = self.conn.recv(65536)
            if not part:
                return None
            self.data += part
        head, _, rest = self.data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            part = self.conn.recv(65536)
            if not part:
                break
            rest += part
        body, self.data = rest[:length], rest[length:]
        return body


def serve_kept_alive(listener, answer):
    """Answers every complete request on every connection with `answer`, on this thread."""
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ)
    pending = {}
    while True:
        for key, _ in events.select():
            sock = key.fileobj
            if sock is listener:
                conn, _ = listener.accept()
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                events.register(conn, selectors.EVENT_READ)
                pending[conn] = b""
                continue
            data = sock.recv(65536)
            if not data:
                events.unregister(sock)
                sock.close()
                del pending[sock]
                continue
            data = pending[sock] + data
            complete = 0
            while True:
                end = data.find(b"\r\n\r\n")
                if end < 0:
                    break
                head = data[:end].lower()
                at = head.find(b"content-length:")
                length = int(head[at + 15:].split(b"\r\n", 1)[0]) if at >= 0 else 0
                if len(data) < end + 4 + length:
                    break
                data = data[end + 4 + length:]
                complete += 1
            pending[sock] = data
            if complete:
                sock.sendall(answer * complete)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--sends", default="/dev/null")
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    answers = {"small": json_answer()}
    kept_alive = json_answer(keep_alive=True)
    for n in args.sizes.split(","):
        answers["stream-" + n] = stream_answer(int(n))
        answers["chunked-" + n] = chunked_answer(int(n))
        answers["markdown-" + n] = markdown_answer(int(n))
    slow_chunks = [chunk("word%02d " % i) for i in range(50)]

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(64)
    kept = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    kept.bind(("127.0.0.1", 0))
    kept.listen(256)
    threading.Thread(target=serve_kept_alive, args=(kept, kept_alive), daemon=True).start()
    print(listener.getsockname()[1], flush=True)
    print(kept.getsockname()[1], flush=True)

    def serve(conn):
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            requests = Requests(conn)
            body = requests.next()
            if body is None:
                return
            model = json.loads(body or b"{}").get("model", "small")
            if model == "slow":
                time.sleep(0.2)
                conn.sendall(SSE_HEAD)
                sends = []
                for c in slow_chunks:
                    sends.append(time.monotonic_ns())
                    conn.sendall(c)
                    time.sleep(0.01)
                conn.sendall(FINISH)
                with open(args.sends, "w") as f:
                    f.write(" ".join(map(str, sends)))
            else:
                conn.sendall(answers.get(model, answers["small"]))
            conn.shutdown(socket.SHUT_WR)
            try:
                while conn.recv(65536):
                    pass
            except OSError:
                pass

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
