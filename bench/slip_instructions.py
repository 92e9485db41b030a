"""Slip benchmark in instructions: what one rendering costs, whatever else the machine does.

    .venv/bin/python bench/slip_instructions.py [--renders 2]

Wall-clock times on a shared virtual machine move with the load and with the time the
hypervisor gives to other guests (`bench/slip.py` prints that share). Instructions do not:
valgrind's callgrind counts the instructions one rendering executes, the same count for the
same code and input on any load. Measured here: the rendering alone (`slips.rendering.
render_pdf`: WeasyPrint, HarfBuzz subsetting, the process's font configuration and parsed
stylesheet), after two renders of each document have loaded fonts and styles, for
- a one-paragraph page (the yardstick `bench/slip.py` uses),
- the slip of a referral whose person did not share the assessment (one page),
- the two-page slip (the person's page and the advisor's), normal and large print,
and each one's ratio to the paragraph page. Needs valgrind (Debian's package); about three
minutes. Prints the figures and writes bench/results/slip_instructions.txt.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import common


def documents():
    """The HTML of each measured document and its variant, as the slip's views make it."""
    import slip

    slip.prepare_database(f"postgres://postgres@127.0.0.1:5432/{slip.DATABASE}")
    from slips.content import Variant
    from slips.rendering import slip_html

    two_pages = slip.make_referral()
    one_page = slip.make_referral(share_assessment=False)
    return {
        "one-paragraph page": (None, None),
        "slip, one page (assessment not shared)": (slip_html(one_page), Variant.NORMAL),
        "slip, two pages, normal": (slip_html(two_pages), Variant.NORMAL),
        "slip, two pages, large print": (
            slip_html(two_pages, variant=Variant.LARGE),
            Variant.LARGE,
        ),
    }


def child(path, renders):
    """Under callgrind: renders each document, counting only its `renders` renderings."""
    import django

    sys.path.insert(0, str(common.ROOT))
    django.setup()
    import slip

    from slips.rendering import render_pdf

    def control(*arguments):
        subprocess.run(
            ["callgrind_control", *arguments, str(os.getpid())], check=True, capture_output=True
        )

    for index, (html, variant) in enumerate(json.loads(Path(path).read_text()).values()):
        if html is None:  # the yardstick, as bench/slip.py renders it
            render = slip.paragraph_page
        else:

            def render(html=html, variant=variant):
                render_pdf(html, variant)

        for _ in range(2):
            render()
        control("--zero")
        control("--instr=on")
        for _ in range(renders):
            render()
        control("--instr=off")
        control(f"--dump=document-{index}")


def totals(directory):
    """{document index: instructions} read from the dumps callgrind wrote."""
    found = {}
    for dump in Path(directory).glob("callgrind.out*"):
        text = dump.read_text(errors="replace")
        label = re.search(r"^desc: Trigger: .*document-(\d+)", text, re.MULTILINE)
        total = re.search(r"^totals: (\d+)", text, re.MULTILINE)
        if label and total:
            found[int(label.group(1))] = int(total.group(1))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.renders)
    if not shutil.which("valgrind"):
        sys.exit("valgrind is needed (Debian's package valgrind)")
    docs = documents()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "documents.json"
        path.write_text(json.dumps(docs))
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={directory}/callgrind.out",
                sys.executable,
                __file__,
                "--child",
                str(path),
                "--renders",
                str(args.renders),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        counts = totals(directory)
    if len(counts) != len(docs):
        sys.exit(f"callgrind reported {len(counts)} of {len(docs)} documents")
    per_render = {name: counts[index] / args.renders for index, name in enumerate(docs)}
    yardstick = per_render["one-paragraph page"]
    lines = [f"instructions per rendering (callgrind, {args.renders} renderings each)"]
    lines += [
        f"{name:<40} {count / 1e6:7.1f} M   {count / yardstick:5.1f} x the paragraph page"
        for name, count in per_render.items()
    ]
    report = "\n".join(lines) + "\n"
    print(report, end="")
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "slip_instructions.txt").write_text(report)


if __name__ == "__main__":
    main()
