console.log('acme web');
