#!/usr/bin/env python3
"""An independent verifier of a traild trail, written from docs/integrity.md alone.

usage: verify_trail.py DIR [--prefix P] [--key FILE] [--public-key PEM] [--documents FILE]
Standard library only, plus `openssl` for Ed25519. Prints OK or FAILED: <kind>; exit 0 or 1.
"""
import argparse, base64, glob, hashlib, hmac, json, os, re, subprocess, sys, tempfile

def canonical(doc):  # sorted keys, no spaces, UTF-8 as is; traild also escapes DEL
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).replace("\x7f", "\\u007f").encode()

def fail(kind, where):
    print(f"FAILED: {kind}: {where}")
    sys.exit(1)

def signature_ok(pem, data, signature):
    with tempfile.TemporaryDirectory() as tmp:
        msg, sig = os.path.join(tmp, "msg"), os.path.join(tmp, "sig")
        open(msg, "wb").write(data)
        open(sig, "wb").write(base64.b64decode(signature))
        return subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pem, "-rawin", "-in", msg,
                               "-sigfile", sig], capture_output=True).returncode == 0

a = argparse.ArgumentParser()
a.add_argument("dir"); a.add_argument("--prefix", default="audit"); a.add_argument("--key")
a.add_argument("--public-key"); a.add_argument("--documents")
args = a.parse_args()
key = open(args.key, "rb").read().rstrip(b"\r\n") if args.key else None
files = sorted(glob.glob(os.path.join(args.dir, args.prefix + "-*.jsonl")), key=lambda f: int(re.findall(r"-(\d+)\.jsonl$", f)[0]))
events = []
if args.documents:  # as from Elasticsearch: any key order, any line order
    events = sorted((json.loads(l) for l in open(args.documents, encoding="utf-8") if l.strip()),
                    key=lambda e: e["traild"]["chain"]["sequence"])
for i, f in enumerate([] if args.documents else files):
    for n, raw in enumerate(open(f, "rb").read().split(b"\n")[:-1] + [None], 1):
        if raw is None: break
        events.append((json.loads(raw), f"{os.path.basename(f)} line {n}", n == 1))
    if not open(f, "rb").read().endswith(b"\n") and os.path.getsize(f) and i == len(files) - 1:
        fail("truncated", os.path.basename(f))
checkpoints, deletions, prev_record = {}, {}, "0" * 64
for n, line in enumerate(open(os.path.join(args.dir, args.prefix + ".digest"), "rb").read().splitlines(), 1):
    rec = json.loads(line)
    if rec["prev"] != prev_record: fail("modified", f"digest record {n}")
    prev_record = hashlib.sha256(line).hexdigest()
    if args.public_key and not signature_ok(args.public_key, canonical({k: v for k, v in rec.items() if k != "signature"}), rec.get("signature", "")):
        fail("signature invalid", f"digest record {n}")
    if rec["type"] == "checkpoint": checkpoints[rec["sequence"]] = rec["hash"]
    elif "last_sequence" in rec: deletions[rec["last_sequence"]] = rec["last_hash"]
last_hash, last_seq, seen, repeat_next = None, None, {}, None
for item in events:
    event, where, file_start = item if isinstance(item, tuple) else (item, f"sequence {item['traild']['chain']['sequence']}", False)
    chain = event["traild"]["chain"]
    claimed = chain.pop("hash")
    data = canonical(event)
    mine = hmac.new(key, data, hashlib.sha256).hexdigest() if key else hashlib.sha256(data).hexdigest()
    if mine != claimed: fail("modified", where)
    seq = chain["sequence"]
    # A file may start by repeating checked lines byte for byte (written again after a failed fdatasync).
    if last_seq is not None and seq <= last_seq and (file_start or seq == repeat_next) and seen.get(seq) == claimed:
        repeat_next = seq + 1
        continue
    repeat_next = None
    seen[seq] = claimed
    if last_seq is None:
        if chain["prev"] != "0" * 64 and deletions.get(seq - 1) != chain["prev"]: fail("missing", where)
    elif seq != last_seq + 1: fail("missing" if seq > last_seq + 1 else "reordered", where)
    elif chain["prev"] != last_hash: fail("modified", where)
    if checkpoints.get(seq, claimed) != claimed: fail("modified", f"{where} (checkpoint)")
    last_hash, last_seq = claimed, seq
if checkpoints and (last_seq is None or max(checkpoints) > last_seq): fail("truncated", "the trail ends before its last checkpoint")
if last_seq is not None and (not checkpoints or last_seq > max(checkpoints)): fail("unsigned tail", f"after sequence {max(checkpoints, default=0)}")
print(f"OK: {len(seen)} events")
