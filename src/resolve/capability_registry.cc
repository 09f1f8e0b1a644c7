// Written by the registry area.
