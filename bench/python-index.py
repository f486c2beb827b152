#!/usr/bin/env python3
"""Generates a static PEP 503 tree for the python benchmarks: python-index.py ROOT PROJECTS FILES_PER_PROJECT.
Names exercise PEP 503 normalisation (case, '.', '_', runs); file links carry #sha256= and data-requires-python."""
import hashlib, os, random, sys
root, projects, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261122)
words = ["py", "django", "flask", "zope", "ruamel", "types", "google", "cloud", "azure", "mgmt", "aws", "cdk", "jupyter",
         "sphinx", "pytest", "plugin", "lib", "core", "utils", "async", "http", "yaml", "json", "api", "client", "sdk", "data"]
seps = ["-", "_", ".", "-", "-"]
os.makedirs(os.path.join(root, "simple"))
names, seen = [], set()
while len(names) < projects:
    parts = rng.sample(words, rng.randint(1, 3)) + [str(len(names))]
    name = parts[0]
    for p in parts[1:]:
        name += rng.choice(seps) + p
    if rng.random() < 0.2:
        name = name.title()
    norm = name.lower().replace("_", "-").replace(".", "-")
    if norm in seen:
        continue
    seen.add(norm)
    names.append((name, norm))
with open(os.path.join(root, "simple", "index.html"), "w") as index:
    index.write("<!DOCTYPE html>\n<html><body>\n")
    for name, norm in names:
        index.write(f'<a href="{norm}/">{name}</a>\n')
        os.makedirs(os.path.join(root, "simple", norm))
        dist = name.replace("-", "_").replace(".", "_")
        with open(os.path.join(root, "simple", norm, "index.html"), "w") as page:
            page.write(f"<!DOCTYPE html>\n<html><body><h1>Links for {norm}</h1>\n")
            for i in range(per):
                version = f"{1 + i // 4}.{i % 4}.0" if i % 5 else f"{1 + i // 4}.{i % 4}.0rc1"
                fn = f"{dist}-{version}-py3-none-any.whl" if i % 2 else f"{dist}-{version}.tar.gz"
                sha = hashlib.sha256(f"{norm}/{fn}".encode()).hexdigest()
                page.write(f'<a href="../../packages/{fn}#sha256={sha}" data-requires-python="&gt;=3.8">{fn}</a><br/>\n')
            page.write("</body></html>\n")
    index.write("</body></html>\n")
open(os.path.join(root, ".complete"), "w").close()
