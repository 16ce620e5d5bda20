#!/usr/bin/env python3
"""Embeds migrations/<dialect>/NNNN_name.sql files into a C++ source, so the
binary carries its schema and needs no files at run time."""
import pathlib
import sys

output, inputs = sys.argv[1], sys.argv[2:]
rows = []
for path in sorted(inputs, key=lambda p: (pathlib.Path(p).parent.name, pathlib.Path(p).name)):
    p = pathlib.Path(path)
    version, _, name = p.stem.partition("_")
    sql = p.read_text(encoding="utf-8")
    if ')sql"' in sql:
        sys.exit(f"{path}: contains the raw-string terminator")
    rows.append(f'    {{"{p.parent.name}", {int(version)}, "{name}", R"sql({sql})sql"}},')
pathlib.Path(output).write_text(
    '#include "store/embedded_migrations.hpp"\n\n'
    "namespace chatkit::store {\n\n"
    "const std::vector<embedded_migration>& embedded_migrations()\n{\n"
    "    static const std::vector<embedded_migration> all{\n" + "\n".join(rows) + "\n    };\n"
    "    return all;\n}\n\n} // namespace chatkit::store\n",
    encoding="utf-8",
)
