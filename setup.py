"""One installed namespace, `testkommune`, over the repository's top-level folders.

The repository keeps the folders the project was given (`contracts/`, `simulators/`, `scenarios/`,
`harness/`); each installs as `testkommune.<folder>`, so the wheel holds exactly one top-level package.
Everything else about the distribution is in pyproject.toml.
"""

from setuptools import find_packages, setup

FLOORS = ("contracts", "simulators", "scenarios", "harness")

package_dir = {f"testkommune.{floor}": floor for floor in FLOORS}
packages = [
    name
    for floor in FLOORS
    for name in (f"testkommune.{floor}", *(f"testkommune.{floor}.{sub}" for sub in find_packages(floor)))
]

# the generated pages and the source summaries the dashboard reads (harness/dashboard/docpages.py): data
package_dir["testkommune.docs"] = "docs"
packages += ["testkommune.docs", "testkommune.docs.sources"]

setup(package_dir=package_dir, packages=packages)
