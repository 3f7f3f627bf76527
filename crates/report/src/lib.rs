//! Run report: metrics from plain arrays, plots with plotters, HTML and Markdown
