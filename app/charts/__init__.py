"""Server-rendered SVG charts shared by the features: a frame (svg.py) and one module per kind of chart."""
