"""The macro template: VBA project, .xlsm packaging, the button sheet."""
