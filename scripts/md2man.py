#!/usr/bin/env python3
"""Turns one of traild's Markdown documents into a man page (roff), so each man page is
generated from the same source as the documentation: docs/configuration.md is
traild.yaml(5); docs/man/traild.md and docs/man/trailctl.md are traild(8) and trailctl(1).

Handles the Markdown the docs use: headings, paragraphs, bullet lists, fenced code,
tables (kept as preformatted text), `code`, **bold** and [links](target). Text before
the first `##` section is the DESCRIPTION; <!-- comments --> are left out.

    md2man.py SOURCE.md OUTPUT NAME SECTION "one-line description" VERSION
"""
import re
import sys


def inline(text):
    text = text.replace("\\", "\\e")
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", text)
    text = re.sub(r"`([^`]+)`", r"\\fB\1\\fR", text)
    text = text.replace("-", "\\-")
    return text


def line_safe(text):
    # roff treats a line starting with . or ' as a request
    return "\\&" + text if text[:1] in (".", "'") else text


def convert(lines, name, section, summary, version):
    out = [f'.TH {name.upper()} {section} "" "traild {version}" "traild"', ".SH NAME", f"{name} \\- {summary}"]
    in_code = False
    in_table = False
    in_comment = False
    headed = False
    for raw in lines:
        line = raw.rstrip("\n")
        # <!-- comments --> are notes for the documentation's readers, not the page
        if in_comment or line.startswith("<!--"):
            in_comment = "-->" not in line
            continue
        if not headed and line.strip() and not line.startswith("# "):
            headed = True
            if not line.startswith("## "):
                out.append(".SH DESCRIPTION")  # text before the first section describes
        if line.startswith("```"):
            out.append(".EX" if not in_code else ".EE")
            in_code = not in_code
            continue
        if in_code:
            out.append(line_safe(line.replace("\\", "\\e")))
            continue
        if line.startswith("|"):
            if set(line) <= set("|-: "):
                continue  # the separator row
            if not in_table:
                out.append(".PP\n.nf")
                in_table = True
            cells = [inline(c.strip()) for c in line.strip("|").split("|")]
            out.append(line_safe("  ".join(cells)))
            continue
        if in_table:
            out.append(".fi")
            in_table = False
        if line.startswith("# "):
            continue  # the title is the NAME section
        if line.startswith("## "):
            out.append(".SH " + inline(line[3:]).upper())
        elif line.startswith("### "):
            out.append(".SS " + inline(line[4:]))
        elif re.match(r"^\s*[-*] ", line):
            out.append(".IP \\(bu 2")
            out.append(line_safe(inline(re.sub(r"^\s*[-*] ", "", line))))
        elif not line.strip():
            out.append(".PP")
        else:
            out.append(line_safe(inline(line.strip())))
    if in_table:
        out.append(".fi")
    # No empty paragraphs: collapse repeated .PP and .PP right before a heading or item.
    cleaned = []
    for item in out:
        if item == ".PP" and cleaned and cleaned[-1] == ".PP":
            continue
        if item.startswith((".SH", ".SS", ".IP")) and cleaned and cleaned[-1] == ".PP":
            cleaned.pop()
        cleaned.append(item)
    return "\n".join(cleaned) + "\n"


def main():
    source, output, name, section, summary, version = sys.argv[1:7]
    with open(source, encoding="utf-8") as f:
        page = convert(f.readlines(), name, section, summary, version)
    with open(output, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    main()
