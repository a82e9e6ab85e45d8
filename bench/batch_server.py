"""A Files and Batches API for the benchmark: uploads kept in memory, a batch completed as
soon as it is made, its output file one small completion a request line (in reverse
order, as real output files are not in input order). The output is made when the input
file is uploaded, so that curl's upload of the same file costs the server the same time
as mume's, and making a batch costs it nothing. Prints its port."""
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FILES = {}
OUTPUTS = {}
BATCHES = {}
LOCK = threading.Lock()


# An output line, filled in by string formatting: the server's own time stays out of the
# figures (json.dumps for every line took longer than mume's whole submission).
LINE = ('{"id":"batch_req_%d","custom_id":%s,"response":{"status_code":200,"request_id":"req_%d",'
        '"body":{"id":"chatcmpl-%d","object":"chat.completion","model":"m","choices":[{"index":0,'
        '"message":{"role":"assistant","content":"positive"},"finish_reason":"stop"}],'
        '"usage":{"prompt_tokens":12,"completion_tokens":1,"total_tokens":13}}},"error":null}\n')
CUSTOM_ID = re.compile(rb'^\{"custom_id":("(?:[^"\\]|\\.)*")')


def completion(line, i):
    custom_id = CUSTOM_ID.match(line).group(1).decode()
    return LINE % (i, custom_id, i, i)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def batch(self, batch_id):
        b = BATCHES[batch_id]
        return {"id": batch_id, "object": "batch", "status": "completed", "input_file_id": b["input"],
                "output_file_id": b["output"], "error_file_id": None,
                "request_counts": {"total": b["rows"], "completed": b["rows"], "failed": 0}}

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/v1/files":
            boundary = re.search(r"boundary=(\S+)", self.headers["content-type"]).group(1).encode()
            for part in body.split(b"--" + boundary):
                if b'name="file"' in part:
                    content = part.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n", 1)[0]
            lines = content.splitlines()
            output = "".join(completion(l, i) for i, l in reversed(list(enumerate(lines))))
            with LOCK:
                file_id = "file-%d" % len(FILES)
                FILES[file_id] = content
                OUTPUTS[file_id] = (output.encode(), len(lines))
            return self.reply({"id": file_id, "object": "file", "bytes": len(content)})
        if self.path == "/v1/batches":
            request = json.loads(body)
            output, rows = OUTPUTS[request["input_file_id"]]
            with LOCK:
                out_id = "file-%d" % len(FILES)
                FILES[out_id] = output
                batch_id = "batch_%d" % len(BATCHES)
                BATCHES[batch_id] = {"input": request["input_file_id"], "output": out_id, "rows": rows}
            return self.reply(self.batch(batch_id))
        self.send_error(404)

    def do_GET(self):
        m = re.fullmatch(r"/v1/batches/([^/]+)", self.path)
        if m:
            return self.reply(self.batch(m.group(1)))
        m = re.fullmatch(r"/v1/files/([^/]+)/content", self.path)
        if m:
            return self.reply(FILES[m.group(1)], "application/jsonl")
        self.send_error(404)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
