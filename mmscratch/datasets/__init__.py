from .synthetic import CATEGORIES, make_synthetic_coco, render_image

__all__ = ['CATEGORIES', 'make_synthetic_coco', 'render_image']
