# The paper's scale augmentation ("train aug"): the shorter side is sampled
# per training image (max 1333), then a horizontal flip. The Table 3 and VOC
# runs sample it from [640, 800], the less-data runs from [512, 800].
load = [dict(type='LoadImageFromFile', backend_args=None)]
flip_and_pack = [dict(type='RandomFlip', prob=0.5), dict(type='PackDetInputs')]
boxes_and_masks = dict(type='LoadAnnotations', with_bbox=True, with_mask=True)


def shorter_side(low):
    return dict(type='RandomResize', scale=[(1333, low), (1333, 800)],
                keep_ratio=True)


coco_trainaug_pipeline = \
    load + [boxes_and_masks, shorter_side(640)] + flip_and_pack
coco_less_data_pipeline = \
    load + [boxes_and_masks, shorter_side(512)] + flip_and_pack
voc_trainaug_pipeline = load + [
    dict(type='LoadAnnotations', with_bbox=True), shorter_side(640)
] + flip_and_pack
del load, flip_and_pack, boxes_and_masks, shorter_side
