"""xlgoals serve: the upload page and Excel on the web's task pane."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlgoals.shells.cli.common import app, friendly, out


def register(rules: list[str] | None) -> None:
    """The rule sets this server counts, in the environment its worker processes inherit (absolute paths: a
    worker runs in each request's folder); every file parsed now, so a broken one stops the start."""
    import os

    from xlgoals.core.builtin import BUILTIN
    from xlgoals.validation.counted import ENV, counted

    if rules:
        os.environ[ENV] = ";".join(r if r in BUILTIN else str(Path(r).resolve()) for r in rules)
    sets = counted()
    titles = "、".join(rs.title for rs in sets.sets())
    out.print(f"认可的指标体系：{titles}" + ("" if sets.entries else "（全部内置规则集）"))


@app.command()
@friendly
def serve(
    host: Annotated[str, typer.Option(help="监听地址；对外提供服务时放在 HTTPS 反向代理之后")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="同时处理上传的工作进程数，默认 CPU 核数")
    ] = None,
    queue: Annotated[
        int, typer.Option("--queue", min=0, help="正在处理之外最多排队的上传数；再多的请求立即答复 429（请稍后重试）")
    ] = 100,
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file",
            envvar="XLGOALS_TOKEN_FILE",
            help="主管部门口令所在的文件：设置后，校验和汇总请求须带此口令（按钮、加载项、上传页面）",
        ),
    ] = None,
    rules: Annotated[
        list[str] | None,
        typer.Option(
            "--rules",
            help="本服务认可的规则集（内置名称或 .toml 文件，可多次给出）：封面“指标体系”须为其中之一，"
            "否则拒绝校验并说明；不给时认可全部内置规则集（也可用环境变量 XLGOALS_RULES，以分号分隔）",
        ),
    ] = None,
) -> None:
    """启动网页服务：上传工作簿校验、汇总的页面（/），Excel 按钮（无 Python 时）和网页版 Excel 加载项的校验服务。"""
    from xlgoals.core.extras import require

    require("fastapi", "uvicorn", "python_multipart", "xlwings_server", purpose="网页服务（xlgoals serve）")
    import uvicorn

    from xlgoals.shells.server import create_app
    from xlgoals.shells.token import read_token_file
    from xlgoals.shells.uploads import Limits

    limits = Limits(queue=queue) if workers is None else Limits(jobs=workers, queue=queue)
    # Read from a file, never an argument: a command line is visible to every user of the machine.
    token = read_token_file(token_file) if token_file is not None else None
    register(rules)
    uvicorn.run(create_app(limits, token=token), host=host, port=port)
