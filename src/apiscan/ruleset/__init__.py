"""Rules as data: the Rule model, loading our rule files and Spectral rulesets, selection."""
