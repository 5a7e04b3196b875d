"""``%load_ext jupyter_coding``: every magic, its configuration and Tab completion.

The one place that knows all the kernel's magics, so that they need not know each
other (``%%code`` and ``%coding_check`` share the study through the shell's registry).
"""

from __future__ import annotations

from jupyter_coding.kernel.completion import install_completer, uninstall_completer
from jupyter_coding.kernel.magics import CodingMagics, show_key_listener
from jupyter_coding.kernel.magics_agreement import AgreementMagics
from jupyter_coding.kernel.magics_check import CheckMagics

__all__ = ["load", "unload"]

MAGICS = (CodingMagics, CheckMagics, AgreementMagics)


def load(shell) -> CodingMagics:
    """Register the magics, their configuration and Tab completion with ``shell``."""
    magics = CodingMagics(shell=shell)
    shell.register_magics(magics)
    shell.register_magics(CheckMagics(shell))
    shell.register_magics(AgreementMagics(shell))
    if magics not in shell.configurables:
        shell.configurables.append(magics)
    install_completer(shell, magics)
    show_key_listener(shell)
    return magics


def unload(shell) -> None:
    """Take back everything :func:`load` registered."""
    uninstall_completer(shell)
    for magics in [c for c in shell.configurables if isinstance(c, CodingMagics)]:
        shell.configurables.remove(magics)
        shell.events.unregister("pre_run_cell", magics._remember_cell)
    manager = shell.magics_manager
    for registered in MAGICS:
        for kind, names in registered.magics.items():
            for name in names:
                manager.magics[kind].pop(name, None)
        manager.registry.pop(registered.__name__, None)
