"""The ``shieldwall`` command: one module per command group, imported when its group runs.

Commands are thin: they parse options, call ``runtime`` for services and one public function
of an application (``scan``, ``share``, ``access``) or of ``server``, and print the result.
Errors become one red line and a non-zero exit code (:mod:`.context`); nothing below this
package prints or exits.
"""
