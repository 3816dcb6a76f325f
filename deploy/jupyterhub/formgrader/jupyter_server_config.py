"""The formgrader service's Jupyter server (started by the hub as the instructor's account).

JupyterHub's single-user server forbids being shown in any frame
(Content-Security-Policy: frame-ancestors 'none'), but the formgrader opens as a frame of
the service's own JupyterLab page: with 'none' its tab stays blank. Frames from the same
origin only ('self') are enough and keep other sites from framing it.
"""

c = get_config()  # noqa: F821

c.ServerApp.tornado_settings = {
    "headers": {"Content-Security-Policy": "frame-ancestors 'self'"},
}
