"""Internal foundations shared by every layer: errors, seeds, memory planning.

Nothing in here imports from a higher layer of :mod:`mbl`.
"""
