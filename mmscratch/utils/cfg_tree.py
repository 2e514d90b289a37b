"""Looking through nested config dicts and lists."""


def has_type(node, type_name: str) -> bool:
    """Whether any dict inside ``node`` has ``type=type_name``."""
    if isinstance(node, dict):
        return node.get('type') == type_name or any(
            has_type(v, type_name) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(has_type(v, type_name) for v in node)
    return False


def num_classes_in(node, skip: tuple = ()) -> list:
    """Every integer ``num_classes`` inside ``node``, sorted and unique,
    not looking under the keys in ``skip`` (e.g. ``('rpn_head',)``)."""
    found = set()

    def walk(n):
        if isinstance(n, dict):
            if isinstance(n.get('num_classes'), int):
                found.add(n['num_classes'])
            for k, v in n.items():
                if k not in skip:
                    walk(v)
        elif isinstance(n, (list, tuple)):
            for v in n:
                walk(v)
    walk(node)
    return sorted(found)


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


def leaf_datasets(ds) -> list:
    """The dataset configs inside ``ds``, looking through wrappers
    (``dataset=``/``datasets=``) and lists; a dict with an ``ann_file`` is
    a leaf even when it has a ``dataset`` key."""
    if isinstance(ds, (list, tuple)):
        return [leaf for d in ds for leaf in leaf_datasets(d)]
    if not isinstance(ds, dict):
        return []
    inner = [ds[k] for k in ('dataset', 'datasets') if k in ds]
    if inner and 'ann_file' not in ds:
        return [leaf for d in inner for leaf in leaf_datasets(d)]
    return [ds]


def loader_datasets(cfg, loaders) -> list:
    """(loader name, dataset config) for each leaf dataset of the loaders
    of ``cfg`` named in ``loaders`` (absent loaders are skipped)."""
    return [(name, ds) for name in loaders if cfg.get(name) is not None
            for ds in leaf_datasets(cfg[name].get('dataset'))]
