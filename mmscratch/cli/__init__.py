"""What the command-line tools share: config pre-flight, launch, loaders.

Not imported by ``import mmscratch`` (configs load the plugin only).
"""
