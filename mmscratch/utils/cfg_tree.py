"""Looking through nested config dicts and lists."""


def has_type(node, type_name: str) -> bool:
    """Whether any dict inside ``node`` has ``type=type_name``."""
    if isinstance(node, dict):
        return node.get('type') == type_name or any(
            has_type(v, type_name) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(has_type(v, type_name) for v in node)
    return False


def replace_types(node, swaps: dict) -> int:
    """Rename, in place, every ``type`` inside ``node`` found in ``swaps``
    (old name -> new name); return how many were renamed."""
    count = 0
    if isinstance(node, dict):
        if node.get('type') in swaps:
            node['type'] = swaps[node['type']]
            count += 1
        for value in node.values():
            count += replace_types(value, swaps)
    elif isinstance(node, (list, tuple)):
        for value in node:
            count += replace_types(value, swaps)
    return count
