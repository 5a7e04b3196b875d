"""The Jupyter Server extension's name in Jupyter configuration: ``jupyter_coding.serverext``.

Installing the package enables it (``jupyter-config/jupyter_server_config.d/
jupyter_coding.json``, installed into ``etc/jupyter``, sets
``ServerApp.jpserver_extensions["jupyter_coding.serverext"] = true``); ``jupyter server
extension disable jupyter_coding.serverext`` turns it off. What it does is
:mod:`jupyter_coding.notebooks.serverext`.
"""

from jupyter_coding.notebooks.serverext import load_extension, start_extension

__all__ = ["SERVER_EXTENSION"]

SERVER_EXTENSION = __name__


def _jupyter_server_extension_points():
    return [{"module": SERVER_EXTENSION}]


_load_jupyter_server_extension = load_extension
_start_jupyter_server_extension = start_extension
