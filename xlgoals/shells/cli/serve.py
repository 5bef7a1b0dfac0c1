"""xlgoals serve: the upload page and Excel on the web's task pane."""

from __future__ import annotations

from typing import Annotated

import typer

from xlgoals.shells.cli.common import app, friendly


@app.command()
@friendly
def serve(
    host: Annotated[str, typer.Option(help="监听地址；对外提供服务时放在 HTTPS 反向代理之后")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
) -> None:
    """启动网页服务：上传工作簿校验、汇总的页面（/），以及网页版 Excel / Mac 的加载项按钮。"""
    from xlgoals.core.extras import require

    require("fastapi", "uvicorn", "python_multipart", purpose="网页服务（xlgoals serve）")
    import uvicorn

    from xlgoals.shells.server import create_app

    uvicorn.run(create_app(), host=host, port=port)
