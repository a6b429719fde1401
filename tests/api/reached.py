"""Per operation of the OpenAPI document, how many calls reached a 2xx, read from the server's
`lanyard_http_requests_total` counter (by route pattern, method and status); exits 1 when an
operation never did (issue 32). Usage: reached.py OPENAPI_JSON METRICS_TEXT"""

import json
import re
import sys

doc = json.load(open(sys.argv[1]))
counts = {}
line = re.compile(r'^lanyard_http_requests_total\{(.*)\} ([0-9.e+]+)$')
for text in open(sys.argv[2]):
    m = line.match(text.strip())
    if not m:
        continue
    labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1)))
    key = (labels.get("method"), labels.get("route"))
    ok, total = counts.get(key, (0, 0))
    n = int(float(m.group(2)))
    counts[key] = (ok + (n if labels.get("status", "").startswith("2") else 0), total + n)

missing = []
print(f"{'2xx':>6} {'calls':>6}  operation")
for path, item in sorted(doc["paths"].items()):
    for method, op in sorted(item.items()):
        ok, total = counts.get((method.upper(), path), (0, 0))
        print(f"{ok:>6} {total:>6}  {method.upper()} {path} ({op['operationId']})")
        if ok == 0:
            missing.append(f"{method.upper()} {path}")
if missing:
    print(f"admin API: {len(missing)} operations never reached a 2xx: {', '.join(missing)}", file=sys.stderr)
    sys.exit(1)
print(f"admin API: every one of the {sum(len(i) for i in doc['paths'].values())} operations reached a 2xx")
