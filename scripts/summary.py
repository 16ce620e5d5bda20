#!/usr/bin/python3
"""Prints one closing line, "N passed, N failed, N skipped", over every test
case of the run: GoogleTest's XML reports and the browser suite's TAP
output in meson's log."""
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

build = pathlib.Path(sys.argv[1])
passed = failed = skipped = 0
for report in build.glob("*.xml"):
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None or case.get("result") == "skipped":
            skipped += 1
        else:
            passed += 1
log = build / "meson-logs" / "testlog.txt"
if log.exists():
    text = log.read_text(errors="replace")
    for key, value in re.findall(r"^# (pass|fail|skipped) (\d+)$", text, re.M):
        if key == "pass":
            passed += int(value)
        elif key == "fail":
            failed += int(value)
        else:
            skipped += int(value)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
