"""Looking through nested config dicts and lists."""


def has_type(node, type_name: str) -> bool:
    """Whether any dict inside ``node`` has ``type=type_name``."""
    if isinstance(node, dict):
        return node.get('type') == type_name or any(
            has_type(v, type_name) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(has_type(v, type_name) for v in node)
    return False
