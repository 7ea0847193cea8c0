import ConsultCLI
import Foundation

exit(await ConsultCommand.run())
