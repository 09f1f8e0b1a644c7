// Written by the formulas area.
