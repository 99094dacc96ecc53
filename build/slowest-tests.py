#!/usr/bin/env python3
"""Prints the slowest tests of the .trx files (dotnet test --logger trx) and JUnit XML files (pytest --junitxml)
under a folder, so the next slow test is visible in every run of the test command. Usage: slowest-tests.py DIR [N]"""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def seconds(duration):
    # A .trx duration reads hh:mm:ss.fffffff.
    hours, minutes, rest = duration.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def main():
    folder = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    results = []
    for path in glob.glob(os.path.join(folder, "**", "*.trx"), recursive=True):
        for element in ET.parse(path).getroot().iter():
            if element.tag.endswith("UnitTestResult") and element.get("duration"):
                results.append((seconds(element.get("duration")), element.get("testName"), element.get("outcome")))
    for path in glob.glob(os.path.join(folder, "**", "*.xml"), recursive=True):
        for case in ET.parse(path).getroot().iter("testcase"):
            failed = any(child.tag in ("failure", "error") for child in case)
            results.append((float(case.get("time", "0")), f"{case.get('classname')}.{case.get('name')}", "Failed" if failed else "Passed"))
    results.sort(key=lambda r: -r[0])
    print(f"The {min(count, len(results))} slowest of {len(results)} tests (seconds, outcome, test):")
    for duration, name, outcome in results[:count]:
        short = name if len(name) <= 150 else name[:147] + "..."
        print(f"{duration:8.1f}  {outcome:<7} {short}")


if __name__ == "__main__":
    main()
