# Verifies every DKIM-Signature of each message named on the command line
# with dkimpy (Debian's python3-dkim), looking keys up in a JSON table
# {"selector._domainkey.domain": "v=DKIM1; ..."} instead of the DNS.
# Prints one line per signature, "path idx ok|FAIL reason"; exits 1 if any
# signature of any message fails.
import json
import sys

import dkim

keys = json.load(open(sys.argv[1]))


def dnsfunc(name, timeout=5):
    if isinstance(name, bytes):
        name = name.decode()
    v = keys.get(name.rstrip("."))
    return v.encode() if v else None


failed = False
for path in sys.argv[2:]:
    msg = open(path, "rb").read()
    d = dkim.DKIM(msg)
    n = sum(1 for k, _ in d.headers if k.lower() == b"dkim-signature")
    if n == 0:
        print(path, "-", "FAIL no signature")
        failed = True
    for i in range(n):
        try:
            ok = dkim.DKIM(msg).verify(idx=i, dnsfunc=dnsfunc)
            why = ""
        except Exception as e:  # a malformed message fails too
            ok, why = False, " %s" % e
        print(path, i, "ok" if ok else "FAIL" + why)
        failed = failed or not ok
sys.exit(1 if failed else 0)
