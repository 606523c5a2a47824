"""perfmkt: are we on pace to hit the campaign plan, where not, and what now?"""

__version__ = "0.1.0"
