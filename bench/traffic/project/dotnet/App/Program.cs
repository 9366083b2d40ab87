System.Console.WriteLine("acme");
