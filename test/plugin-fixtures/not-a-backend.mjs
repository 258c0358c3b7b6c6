// A module whose default export is not a BackendModule: it has no open().
export default { name: 'half-done', capabilities: { persistent: false, shared: false } };
