// Keeps test output readable: services log JSON at "info" unless a test asks for more.
process.env.LOG_LEVEL ??= 'silent';
