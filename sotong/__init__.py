"""Sotong (소통): the shared core of the district's publishing project.

The package holds only what every feature shares: settings, the notice
schema, audiences and the match rule, the issue schedule, the subscriber
store, mail and SMS assembly, and the command-line and web shells that the
plugins in ``plugins/`` extend.
"""

__version__ = "0.1.0"
