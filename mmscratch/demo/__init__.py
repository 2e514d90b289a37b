"""The embedded demonstration (``make demo``): pretraining stand-in, report.

Not part of the plugin: configs never import it.
"""
