"""The pieces of :mod:`mbl.cli`, one module per group of commands (the app lives in
:mod:`mbl.cli`)."""
