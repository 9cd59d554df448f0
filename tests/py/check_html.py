#!/usr/bin/python3
"""Check a refugesim HTML report: it parses (every element closed, in
order), references nothing outside itself (no scripts, styles, fonts,
images, frames or links to other documents; only #fragment references),
and has every section.  Prints the headline sentence.  Exit 0 when fine,
1 with one line per problem."""
import html.parser
import re
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
# SVG elements gnuplot writes closed by themselves (<path ... />)
FORBIDDEN = {"script", "link", "iframe", "frame", "img", "object", "embed", "base", "image",
             "audio", "video", "source", "foreignobject"}
SECTIONS = ["The question", "The answer", "The measures", "Differences from the baseline",
            "Who is refused most", "Over time", "Assumptions", "Checklist of the study",
            "Provenance"]


class Check(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.h2, self.in_h2 = [], [], [], False
        self.headline, self.in_headline = "", 0

    def handle_starttag(self, tag, attrs):
        self.check(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "h2":
            self.in_h2 = True
            self.h2.append("")
        if self.in_headline or dict(attrs).get("id") == "headline":
            self.in_headline += 1

    def handle_startendtag(self, tag, attrs):
        self.check(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else ""))
            return
        self.stack.pop()
        if tag == "h2":
            self.in_h2 = False
        if self.in_headline:
            self.in_headline -= 1

    def handle_data(self, data):
        if self.in_h2:
            self.h2[-1] += data
        if self.in_headline:
            self.headline += data

    def check(self, tag, attrs):
        if tag in FORBIDDEN:
            self.problems.append("<%s> element" % tag)
        for k, v in attrs:
            v = v or ""
            if k in ("src", "srcset", "poster", "data", "action", "formaction", "background"):
                self.problems.append("%s=%r on <%s>" % (k, v, tag))
            if k in ("href", "xlink:href") and not v.startswith("#"):
                self.problems.append("%s=%r on <%s>" % (k, v, tag))
            if k.startswith("on"):
                self.problems.append("event handler %s on <%s>" % (k, tag))
            if k == "http-equiv":
                self.problems.append("http-equiv on <%s>" % tag)
            if k == "style" and re.search(r"url\(\s*['\"]?(?!#)", v):
                self.problems.append("url() in a style attribute")


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    c = Check()
    c.feed(text)
    c.close()
    if c.stack:
        c.problems.append("unclosed: %s" % " ".join(c.stack))
    if re.search(r"url\(\s*['\"]?(?!#)", text):
        c.problems.append("url() outside the page")
    if re.search(r"@import|@font-face", text):
        c.problems.append("@import or @font-face")
    if not text.startswith("<!DOCTYPE html>"):
        c.problems.append("no doctype")
    for s in SECTIONS:
        if not any(h.startswith(s) for h in c.h2):
            c.problems.append("no section '%s' (sections: %s)" % (s, c.h2))
    print("headline: " + " ".join(c.headline.split()))
    for p in c.problems:
        print("problem: " + p)
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())
