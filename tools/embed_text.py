#!/usr/bin/env python3
"""Embeds a text file into a C++ source as a function returning it, so the
binary serves it with no file at run time:
    embed_text.py OUTPUT HEADER NAMESPACE FUNCTION INPUT"""
import pathlib
import sys

output, header, namespace, function, source = sys.argv[1:6]
text = pathlib.Path(source).read_text(encoding="utf-8")
delimiter = "chatkit_embedded"
if f'){delimiter}"' in text:
    sys.exit(f"{source}: contains the raw-string terminator")
# Raw string literals have a length limit on some compilers: pieces of 16 KiB.
pieces = [text[i : i + 16384] for i in range(0, len(text), 16384)] or [""]
body = "\n".join(f'        R"{delimiter}({p}){delimiter}"' for p in pieces)
pathlib.Path(output).write_text(
    f'#include "{header}"\n\n#include <string>\n\nnamespace {namespace} {{\n\n'
    f"std::string_view {function}()\n{{\n    static const std::string text =\n{body};\n    return text;\n}}\n\n"
    f"}} // namespace {namespace}\n",
    encoding="utf-8",
)
