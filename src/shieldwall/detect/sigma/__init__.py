"""Sigma rules: load with pySigma, compile into fast matchers (see ``loader`` and ``engine``)."""

from shieldwall.detect.sigma.compiler import CompiledRule
from shieldwall.detect.sigma.loader import RuleSelection, RuleSet, load_rules

__all__ = ["CompiledRule", "RuleSelection", "RuleSet", "load_rules"]
