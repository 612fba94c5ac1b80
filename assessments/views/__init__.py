"""The engineer's pages, one module each. Views stay thin: reads come from
assessments.selectors, writes go through the services."""
