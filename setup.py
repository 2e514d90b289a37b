import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name):
    """Requirement lines of requirements/<name>.txt, without comments."""
    with open(osp.join(HERE, 'requirements', name)) as f:
        return [ln.strip() for ln in f
                if ln.strip() and not ln.startswith(('#', '-'))]


def read_version():
    scope = {}
    with open(osp.join(HERE, 'mmscratch', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='mmscratch',
    version=read_version(),
    description='Train MMDetection detectors from random initialization '
    '("Rethinking ImageNet Pre-training")',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmscratch', 'mmscratch.*']),
    # configs and tools (mmscratch/.mim links to them in a checkout; the
    # wheel holds copies): mmengine resolves `mmscratch::` there
    package_data={'mmscratch': ['data/*.json', '.mim/model-index.yml',
                                '.mim/configs/**/*.py',
                                '.mim/tools/*.py', '.mim/tools/*/*.py',
                                '.mim/tools/*.sh']},
    python_requires='>=3.8',
    install_requires=read_requirements('runtime.txt') +
    read_requirements('mminstall.txt'),
    extras_require={'tests': read_requirements('tests.txt')},
    entry_points={'console_scripts': ['mmscratch=mmscratch.cli.main:main']},
    license='Apache License 2.0',
    zip_safe=False,
)
