"""Study files: every key checked with a one-line error; the runs, their
names, lengths and configs follow from the keys."""
import pytest

from conftest import DEMO_CONFIG, ROOT
from mmscratch.study.plan import RunConfigs, curve_run, plan_runs
from mmscratch.study.spec import check_study, load_study
from mmscratch.utils.errors import UserInputError

PRETRAINED = DEMO_CONFIG.replace('.py', '_pretrained.py')
DEMO = f'{ROOT}/configs/studies/demo_synthetic.py'


def raw(**changes):
    study = dict(arms=dict(scratch=DEMO_CONFIG, pretrained=PRETRAINED),
                 reference='pretrained', schedules=[1, 2, 4],
                 seeds=[0, 1, 2], fractions=[1, 0.1], margin=0.05,
                 metric='bbox', launcher=dict(type='local', jobs=2))
    study.update(changes)
    return {k: v for k, v in study.items() if v is not None}


@pytest.mark.parametrize('changes,says', [
    (dict(seeds=None), 'missing key(s) seeds'),
    (dict(arms=dict(scratch=DEMO_CONFIG)), 'at least two names'),
    (dict(reference='imagenet'), "reference='imagenet' is not an arm"),
    (dict(schedules=[]), 'schedules must be a non-empty list'),
    (dict(schedules=[1, -2]), 'schedules holds -2'),
    (dict(seeds=[0, 0.5]), 'seeds holds 0.5; each must be a whole number'),
    (dict(seeds=[1, 1]), 'seeds lists a value twice'),
    (dict(fractions=[0.5]), 'fractions must include 1'),
    (dict(fractions=[1, 2]), 'fractions holds 2'),
    (dict(margin=5), 'margin=5 must be a share'),
    (dict(metric='keypoints'), "metric='keypoints'"),
    (dict(launcher=dict(type='kubernetes')), 'launcher must be'),
    (dict(launcher=dict(type='local', job=2)), 'has no key(s) job'),
    (dict(launcher=dict(type='local', jobs=0)), 'launcher.jobs=0'),
    (dict(launcher=dict(type='slurm')), 'needs partition'),
    (dict(schedule_unit='iters'), "schedule_unit='iters'"),
    (dict(fraction_schedules=[3]), 'must be among the schedules'),
    (dict(seed=[0]), 'unknown key(s) seed'),
    (dict(bootstrap_seed='a'), "bootstrap_seed='a' must be a whole"),
    (dict(samples=10), 'samples=10 must be a whole number >= 100'),
    (dict(prepare=['make data']), 'prepare must be a list'),
])
def test_each_bad_key_is_one_line_naming_it(changes, says):
    with pytest.raises(UserInputError) as err:
        check_study('s.py', raw(**changes))
    assert says in str(err.value) and '\n' not in str(err.value)
    assert str(err.value).startswith('study s.py: ')


def test_helper_variables_starting_with_underscore_are_allowed():
    assert check_study('s.py', raw(_classes=('a', 'b'))).metric == 'bbox'


def test_options_and_flags_override_the_file():
    study = load_study(DEMO, {'seeds': [5, 6, 7], 'margin': 0.1},
                       jobs=1)
    assert study.seeds == [5, 6, 7] and study.margin == 0.1
    assert study.launcher == dict(type='local', jobs=1)
    with pytest.raises(UserInputError, match='declares no slurm launcher'):
        load_study(DEMO, launcher='slurm')
    slurm = load_study(DEMO, {'launcher': dict(type='slurm', partition='gpu',
                                               gpus_per_run=8)})
    with pytest.raises(UserInputError, match='--jobs is for the local'):
        load_study(DEMO, {'launcher': dict(type='slurm', partition='p')},
                   jobs=2)
    assert slurm.launcher['partition'] == 'gpu'
    # another launcher type drops the file's local settings (jobs)
    dotted = load_study(DEMO, {'launcher.type': 'slurm',
                               'launcher.partition': 'gpu'})
    assert dotted.launcher == dict(type='slurm', partition='gpu')
    assert load_study(DEMO, {'launcher.jobs': 3}).launcher['jobs'] == 3
    with pytest.raises(UserInputError, match='does not exist'):
        load_study('configs/studies/nope.py')


def test_every_shipped_study_file_checks():
    import glob
    files = glob.glob(f'{ROOT}/configs/studies/*.py')
    assert len(files) >= 5
    for path in files:
        study = load_study(path)
        assert study.reference in study.arms


def test_runs_cross_arms_schedules_seeds_and_fractions():
    study = check_study('s.py', raw(fraction_schedules=[2]))
    runs = plan_runs(study)
    # 2 arms x (3 schedules + 1 fraction cell) x 3 seeds
    assert len(runs) == 24 and len({r.name for r in runs}) == 24
    names = {r.name for r in runs}
    assert {'scratch_4x_s0', 'pretrained_1x_s2', 'scratch_2x_10pct_s1'} \
        <= names
    assert runs[0].schedule == 4  # longest first
    curves = [r.name for r in runs if curve_run(study, r)]
    assert curves == ['scratch_4x_s0', 'pretrained_4x_s0']


def test_run_configs_set_length_seed_validation_and_subset(tmp_path,
                                                           synthetic_data):
    from conftest import data_options
    options = dict(o.split('=', 1) for o in data_options(synthetic_data))
    study = check_study('s.py', raw(
        schedules=[1, 3], fractions=[1, 0.5], cfg_options=options,
        arm_options=dict(pretrained={
            'model.backbone.init_cfg.checkpoint': '{out}/b.pth'})))
    configs = RunConfigs(study, str(tmp_path), study.arms)
    runs = {r.name: r for r in plan_runs(study)}
    cfg = configs.config(runs['scratch_3x_s2'])
    assert cfg.train_cfg.max_iters == 900  # 3 x the demo config's 300
    assert cfg.train_cfg.val_interval == 900  # only at the end
    curve = configs.config(runs['scratch_3x_s0'])
    assert curve.train_cfg.val_interval == 225  # curve_points 4
    assert cfg.randomness.seed == 2
    assert cfg.val_evaluator.outfile_prefix == \
        f'{tmp_path}/scratch_3x_s2/val_preds'
    assert configs.config(runs['pretrained_1x_s0']).model.backbone \
        .init_cfg.checkpoint == f'{tmp_path}/b.pth'
    less = configs.config(runs['scratch_1x_50pct_s0'])
    assert less.train_dataloader.dataset.ann_file == \
        f'{tmp_path}/subsets/scratch_50pct.json'
    # an arm whose training set is wrapped gets its subset in the leaf
    wrapped = configs.base['scratch']
    wrapped.train_dataloader.dataset = dict(
        type='RepeatDataset', times=2,
        dataset=wrapped.train_dataloader.dataset)
    less = configs.config(runs['scratch_1x_50pct_s0'])
    assert less.train_dataloader.dataset.dataset.ann_file == \
        f'{tmp_path}/subsets/scratch_50pct.json'
    assert 'ann_file' not in less.train_dataloader.dataset


def test_epoch_schedules_count_the_annotated_images_of_each_share(
        tmp_path, synthetic_data):
    import json

    from conftest import data_options
    from mmscratch.study.plan import subset_path, write_subsets
    options = dict(o.split('=', 1) for o in data_options(synthetic_data))
    study = check_study('s.py', raw(schedule_unit='epochs', schedules=[2],
                                    fractions=[1, 0.5],
                                    cfg_options=options))
    configs = RunConfigs(study, str(tmp_path), study.arms)
    runs = {r.name: r for r in plan_runs(study)}
    assert set(runs) >= {'scratch_2ep_s0', 'scratch_2ep_50pct_s0'}
    with open(f'{synthetic_data}/annotations/instances_train.json') as f:
        data = json.load(f)
    annotated = len({a['image_id'] for a in data['annotations']})
    assert configs.iterations(runs['scratch_2ep_s0']) == \
        round(2 * annotated / 4)  # the demo config's batch 4
    written = write_subsets(configs, list(runs.values()))
    scratch = subset_path(str(tmp_path), 'scratch', 0.5)
    pretrained = subset_path(str(tmp_path), 'pretrained', 0.5)
    assert sorted(written) == sorted([scratch, pretrained])  # one per arm
    with open(scratch) as f:
        subset = json.load(f)
    half = len({a['image_id'] for a in subset['annotations']})
    assert configs.iterations(runs['scratch_2ep_50pct_s0']) == \
        round(2 * half / 4)
    assert write_subsets(configs, list(runs.values())) == []  # kept
    # a training file that is not COCO: one line naming it
    with open(pretrained, 'w') as f:
        f.write('[1, 2]')
    fresh = RunConfigs(study, str(tmp_path), study.arms)
    with pytest.raises(UserInputError, match='not COCO JSON'):
        fresh.iterations(runs['pretrained_2ep_50pct_s1'])
