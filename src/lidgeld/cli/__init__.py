"""The command line.

The commands import the apps inside their functions, on purpose: a model may only be
imported once Django is set up, which :func:`lidgeld.cli.main.main` does after it has
parsed the arguments (so ``lidgeld --help`` and a usage error need no database). These
imports do not hide a cycle: the import contracts in ``pyproject.toml`` see them too.
"""
