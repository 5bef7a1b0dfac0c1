"""Command-line usage errors and the Chinese words each message must hold (the command, if any, it names)."""

from __future__ import annotations

USAGE_ERRORS = [
    (["consolidate", "x", "--jobs", "abc"], ["--jobs", "整数"], "consolidate"),
    (["consolidate", "x", "--jobs"], ["--jobs", "缺少取值"], "consolidate"),
    (["validate", "f", "--format", "bad"], ["--format", "table、json"], "validate"),
    (["rollup", "f", "--unit", "亿元"], ["--unit", "元、万元"], "rollup"),
    (["template", "-o", "t.xlsx", "--projects", "0"], ["--projects", "1 到 200"], "template"),
    (["validate"], ["缺少参数 PATH"], "validate"),
    (["template"], ["缺少必填选项 -o/--output"], "template"),
    (["validate", "f", "--bogus"], ["没有选项 --bogus"], "validate"),
    (["validate", "f", "--forma", "json"], ["没有选项 --forma", "--format"], "validate"),
    (["validate", "f", "g"], ["多余的参数：g"], "validate"),
    (["template", "-o", "t.xlsx", "--xlsm=yes"], ["--xlsm", "开关"], "template"),
    (["--bogus"], ["没有选项 --bogus"], None),
    (["bogus"], ["没有命令 bogus", "validate"], None),
    (["valdate", "f"], ["没有命令 valdate", "是否想用 validate"], None),
    (["[red]坏:x:"], ["没有命令 [red]坏:x:"], None),  # user text prints as written, never as markup
]
