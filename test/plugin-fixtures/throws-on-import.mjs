// A plug-in that fails while it loads (a missing native driver, a bad top-level await, ...).
throw new Error('cannot find the native driver for this store');
